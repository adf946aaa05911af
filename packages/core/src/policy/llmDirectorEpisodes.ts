/**
 * Which conversation an observation belongs to. Observations carry no episode id, and one task may run as several
 * concurrent episodes (G rollouts of a prompt), so an episode is recognised by continuity: a round-0 observation
 * starts a conversation; a round-r observation continues the oldest unclaimed conversation of the same task whose
 * last decided round was r − 1. `runRollouts` lists live episodes in episode order, so same-task episodes keep their
 * relative order and are matched correctly; a single-episode caller (agent jobs) is trivially right. When nothing
 * matches (history evicted, a caller joining mid-episode) a fresh conversation starts: the turn still has the full
 * current state, only the history is missing.
 * @internal
 */

/** One past turn as the conversation replays it. */
export interface DirectorTurn {
  /** Compact user message of that turn (round, DSL, feedback). */
  readonly prompt: string;
  /** What the director answered, canonical (`printActionText`), never think text. */
  readonly reply: string;
}

/** The kept state of one episode. */
export class Conversation {
  /** Round of the last decided observation; -1 before the first. */
  lastRound = -1;
  turns: DirectorTurn[] = [];
  /** Said in the next turn: why the previous reply could not be used. */
  note: string | undefined;

  constructor(readonly taskId: string) {}

  /** Appends a turn, keeping only the last `keep`. */
  remember(turn: DirectorTurn, keep: number): void {
    this.turns.push(turn);
    if (this.turns.length > keep) this.turns = keep === 0 ? [] : this.turns.slice(-keep);
  }
}

/** Conversations by task id, least recently used dropped beyond `capacity`. */
export class EpisodeTracker {
  private readonly byTask = new Map<string, Conversation[]>();
  /** Insertion order = recency order (touch re-inserts). */
  private readonly recent = new Set<Conversation>();

  constructor(private readonly capacity: number) {}

  /** The conversation of each observation (one each, never shared within a batch). */
  assign(observations: readonly { readonly task: { readonly id: string }; readonly round: number }[]): Conversation[] {
    const claimed = new Set<Conversation>();
    return observations.map((observation) => {
      const list = this.byTask.get(observation.task.id) ?? [];
      let conversation = observation.round === 0 ? undefined : list.find((c) => c.lastRound === observation.round - 1 && !claimed.has(c));
      if (!conversation) {
        conversation = new Conversation(observation.task.id);
        list.push(conversation);
        this.byTask.set(observation.task.id, list);
      }
      claimed.add(conversation);
      this.recent.delete(conversation);
      this.recent.add(conversation);
      return conversation;
    });
  }

  /** Records the rounds just decided; drops conversations whose next step ends the episode, then the oldest. */
  settle(observations: readonly { readonly round: number; readonly maxRounds: number }[], conversations: readonly Conversation[]): void {
    observations.forEach((observation, i) => {
      const conversation = conversations[i] as Conversation;
      conversation.lastRound = observation.round;
      if (observation.round + 1 >= observation.maxRounds) this.drop(conversation);
    });
    for (const oldest of this.recent) {
      if (this.recent.size <= this.capacity) break;
      this.drop(oldest);
    }
  }

  /** Conversations kept now. */
  get size(): number {
    return this.recent.size;
  }

  clear(): void {
    this.byTask.clear();
    this.recent.clear();
  }

  private drop(conversation: Conversation): void {
    this.recent.delete(conversation);
    const list = (this.byTask.get(conversation.taskId) ?? []).filter((c) => c !== conversation);
    if (list.length === 0) this.byTask.delete(conversation.taskId);
    else this.byTask.set(conversation.taskId, list);
  }
}
