// Plain-language view of one audit event: what was done to what, and which fields changed (before → after).
import type { AuditEvent } from '../../api/types.js';

/** One changed field of an audited entity, both sides formatted for display. */
export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

export interface AuditEventSummary {
  /** "Corrected result #12 (sample #3)", "Archived the campaign". */
  title: string;
  changes: FieldChange[];
}

/** Fields the action already states ("Retracted …", "Archived …") or that change on every write; listing them is noise. */
const FIELDS_STATED_BY_ACTION = new Set(['retractedAt', 'retractionReason', 'archivedAt', 'updatedAt', 'corrections']);

/** Words for the bookkeeping fields a retraction records; outcome and other field names are shown as they are. */
const FIELD_LABELS: Record<string, string> = { sampleStatus: 'sample status', retractedResultIds: 'results retracted with it' };

/** Snapshot fields that hold lists of ids, shown as "#3, #4". */
const ID_LIST_FIELDS = new Set(['retractedResultIds']);

const VERBS: Record<AuditEvent['action'], string> = { correct: 'Corrected', retract: 'Retracted', archive: 'Archived', restore: 'Restored' };

/** "Corrected", "Retracted", "Archived", "Restored". */
export function auditVerb(action: AuditEvent['action']): string {
  return VERBS[action] ?? action;
}

/** How the history names samples: by the lab's id ("S-3") or "#3", and which sample each result belongs to. */
export interface AuditSubjects {
  sampleLabels: ReadonlyMap<number, string>;
  sampleOfResult: ReadonlyMap<number, number>;
}

/** Title and changed fields of an audit event; `subjects` names the sample of a result when it is known. */
export function describeAuditEvent(event: AuditEvent, subjects?: AuditSubjects): AuditEventSummary {
  return { title: `${auditVerb(event.action)} ${subjectOf(event, subjects)}`, changes: auditChanges(event.before, event.after) };
}

/** "result #12 of sample S-3", "sample S-3" (or "sample #3"), "the campaign". */
function subjectOf(event: AuditEvent, subjects?: AuditSubjects): string {
  const sampleLabel = (sampleId: number) => subjects?.sampleLabels.get(sampleId) ?? `#${sampleId}`;
  if (event.entity === 'campaign') return 'the campaign';
  if (event.entity === 'sample') return `sample ${sampleLabel(event.entityId)}`;
  const sampleId = subjects?.sampleOfResult.get(event.entityId);
  return `result #${event.entityId}${sampleId !== undefined ? ` of sample ${sampleLabel(sampleId)}` : ''}`;
}

/**
 * The fields that differ between two snapshots, nested objects flattened to dotted paths in first-seen order;
 * outcome values are named by the outcome alone ("flux", not "outcomes.flux"), since they are what gets corrected.
 */
export function auditChanges(before: unknown, after: unknown): FieldChange[] {
  const beforeLeaves = flatten(before);
  const afterLeaves = flatten(after);
  const paths = [...new Set([...beforeLeaves.keys(), ...afterLeaves.keys()])];
  const changes: FieldChange[] = [];
  for (const path of paths) {
    if (FIELDS_STATED_BY_ACTION.has(path)) continue;
    const was = beforeLeaves.get(path);
    const now = afterLeaves.get(path);
    if (sameValue(was, now)) continue;
    const format = ID_LIST_FIELDS.has(path) ? formatIdList : formatAuditValue;
    changes.push({ field: fieldLabel(path), before: format(was), after: format(now) });
  }
  return changes;
}

/** How a snapshot path is named: an outcome by its own name, bookkeeping fields in words. */
function fieldLabel(path: string): string {
  if (path.startsWith('outcomes.')) return path.slice('outcomes.'.length);
  return FIELD_LABELS[path] ?? path;
}

/** A snapshot value for display: absent or null as "—", numbers in full (a correction may change the 6th digit). */
export function formatAuditValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A list of ids as "#3, #4" ("none" when empty); anything else as formatAuditValue shows it. */
function formatIdList(value: unknown): string {
  if (!Array.isArray(value)) return formatAuditValue(value);
  return value.length === 0 ? 'none' : value.map((id) => `#${String(id)}`).join(', ');
}

/** Leaves of a JSON value by dotted path (arrays are leaves); a non-object snapshot is one leaf at "value". */
function flatten(value: unknown, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (!isPlainObject(value)) {
    if (value !== undefined && value !== null) into.set(prefix || 'value', value);
    return into;
  }
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(child)) flatten(child, path, into);
    else into.set(path, child);
  }
  return into;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equal as JSON; null and absent count as the same (both "no value"). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
