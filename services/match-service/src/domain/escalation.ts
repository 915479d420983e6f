import type { RegionDocument } from './region-document.js'
import { deadlineAfter } from './working-days.js'

type EscalationStep = RegionDocument['coordination']['escalation'][number]

/** The ladder steps above the current level up to `level`, lowest first. */
export function stepsReached(
  steps: readonly EscalationStep[],
  currentLevel: number,
  level: number,
): EscalationStep[] {
  return steps.filter((s) => s.level > currentLevel && s.level <= level)
}

/** The ladder steps whose deadline has passed, counted from the designation; acceptance stops it. */
export function dueEscalationLevel(
  coordination: { status: string; escalationLevel: number; proposedAt: Date },
  document: RegionDocument,
  now: Date,
): number {
  if (!['proposed', 'unassigned'].includes(coordination.status)) return coordination.escalationLevel
  let level = coordination.escalationLevel
  for (const step of document.coordination.escalation) {
    if (deadlineAfter(coordination.proposedAt, step.after, document.holidays) <= now)
      level = Math.max(level, step.level)
  }
  return level
}
