/**
 * Dispatch from (operator, purpose) to the responder that writes the reply in that operator's format.
 * Unknown operators (user plugins) get a Custom-style free-text answer.
 * @internal
 */
import type { SimCall } from '../simCall.ts';
import { reflectReply, reviewReply, verifyReply } from './check.ts';
import { aggregateReply, scEnsembleReply } from './ensemble.ts';
import { formatReply } from './format.ts';
import { decomposeReply, planReply } from './guidance.ts';
import { reviseReply } from './revise.ts';
import { answerGenerateReply, customReply, programmerReply } from './solve.ts';

const BY_OPERATOR: Readonly<Record<string, (call: SimCall) => string>> = {
  Custom: customReply,
  AnswerGenerate: answerGenerateReply,
  Programmer: programmerReply,
  ScEnsemble: scEnsembleReply,
  Test: reflectReply,
  Review: reviewReply,
  Revise: reviseReply,
  Decompose: decomposeReply,
  Verify: verifyReply,
  Plan: planReply,
  Aggregate: aggregateReply,
  Format: formatReply,
};

/** The reply text for one call. */
export function respond(call: SimCall): string {
  return (BY_OPERATOR[call.operator] ?? customReply)(call);
}
