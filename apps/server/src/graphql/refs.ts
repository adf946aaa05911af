/**
 * Object refs shared across domain modules, declared before any is implemented so modules can point at each
 * other's types (an experiment lists runs, a run points at its experiment) without circular imports.
 * Each ref is implemented in its domain module.
 * @internal
 */
import type { CheckpointSummary, Episode, EpisodeStep, Experiment, Run, Workflow, WorkflowVersion } from '../db/repositories/index.ts';
import { builder } from './builder.ts';

export const ExperimentRef = builder.objectRef<Experiment>('Experiment');
export const RunRef = builder.objectRef<Run>('TrainingRun');
export const CheckpointRef = builder.objectRef<CheckpointSummary>('Checkpoint');
export const EpisodeRef = builder.objectRef<Episode>('Episode');
export const EpisodeStepRef = builder.objectRef<EpisodeStep>('EpisodeStep');
export const WorkflowRef = builder.objectRef<Workflow>('Workflow');
export const WorkflowVersionRef = builder.objectRef<WorkflowVersion>('WorkflowVersion');

export const ExperimentConnection = builder.connectionObject({ type: ExperimentRef, name: 'ExperimentConnection' }, { name: 'ExperimentEdge' });
export const RunConnection = builder.connectionObject({ type: RunRef, name: 'TrainingRunConnection' }, { name: 'TrainingRunEdge' });
export const CheckpointConnection = builder.connectionObject({ type: CheckpointRef, name: 'CheckpointConnection' }, { name: 'CheckpointEdge' });
export const EpisodeConnection = builder.connectionObject({ type: EpisodeRef, name: 'EpisodeConnection' }, { name: 'EpisodeEdge' });
export const WorkflowConnection = builder.connectionObject({ type: WorkflowRef, name: 'WorkflowConnection' }, { name: 'WorkflowEdge' });
export const WorkflowVersionConnection = builder.connectionObject(
  { type: WorkflowVersionRef, name: 'WorkflowVersionConnection' },
  { name: 'WorkflowVersionEdge' },
);
