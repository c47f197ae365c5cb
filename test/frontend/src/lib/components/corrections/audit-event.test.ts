import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../../../../frontend/src/lib/api/types.js';
import { auditChanges, describeAuditEvent, formatAuditValue } from '../../../../../../frontend/src/lib/components/corrections/audit-event.js';

/** An audit event as the service answers it, with the fields a case does not care about filled in. */
function event(overrides: Partial<AuditEvent>): AuditEvent {
  return { id: 1, campaignId: 1, entity: 'result', entityId: 12, action: 'correct', before: null, after: null, reason: 'typo', actor: 'anna', createdAt: '2026-12-07T02:00:00.000Z', ...overrides };
}

describe('audit event diffs', () => {
  it('lists only the corrected outcomes, named by the outcome, with both values in full', () => {
    const changes = auditChanges({ outcomes: { flux: 12.34567, rejection: 80 } }, { outcomes: { flux: 12.34568, rejection: 80 } });
    expect(changes).toEqual([{ field: 'flux', before: '12.34567', after: '12.34568' }]);
  });

  it('shows an added outcome and a removed one as — on the empty side', () => {
    const changes = auditChanges({ outcomes: { flux: 1, order: 0.5 } }, { outcomes: { flux: 1, rejection: 90 } });
    expect(changes).toEqual([
      { field: 'order', before: '0.5', after: '—' },
      { field: 'rejection', before: '—', after: '90' },
    ]);
  });

  it('leaves out what the action already says and names bookkeeping fields in words', () => {
    const changes = auditChanges(
      { retractedAt: null, retractionReason: null, sampleStatus: 'measured' },
      { retractedAt: '2026-12-07T02:00:00.000Z', retractionReason: 'cracked', sampleStatus: 'candidate' },
    );
    expect(changes).toEqual([{ field: 'sample status', before: 'measured', after: 'candidate' }]);
    expect(auditChanges({ status: 'measured' }, { status: 'retracted', retractedResultIds: [4, 9] })).toEqual([
      { field: 'status', before: 'measured', after: 'retracted' },
      { field: 'results retracted with it', before: '—', after: '#4, #9' },
    ]);
  });

  it('reports nothing for identical snapshots or an archive, whose only field is stated by the action', () => {
    expect(auditChanges({ outcomes: { flux: 1 } }, { outcomes: { flux: 1 } })).toEqual([]);
    expect(auditChanges({ archivedAt: null }, { archivedAt: '2026-12-07T02:00:00.000Z' })).toEqual([]);
  });

  it('formats values for reading: empty as —, texts as they are, structures as JSON', () => {
    expect(formatAuditValue(null)).toBe('—');
    expect(formatAuditValue(undefined)).toBe('—');
    expect(formatAuditValue('')).toBe('""');
    expect(formatAuditValue(-0.5)).toBe('-0.5');
    expect(formatAuditValue([1, 'a'])).toBe('[1,"a"]');
  });

  it('titles events with the verb and the subject, naming the sample of a result when it is known', () => {
    const subjects = { sampleLabels: new Map([[3, 'S-3']]), sampleOfResult: new Map([[12, 3]]) };
    expect(describeAuditEvent(event({}), subjects).title).toBe('Corrected result #12 of sample S-3');
    expect(describeAuditEvent(event({ entityId: 13, action: 'retract' }), subjects).title).toBe('Retracted result #13');
    expect(describeAuditEvent(event({ entity: 'sample', entityId: 3, action: 'retract' }), subjects).title).toBe('Retracted sample S-3');
    expect(describeAuditEvent(event({ entity: 'sample', entityId: 4, action: 'retract' })).title).toBe('Retracted sample #4');
    expect(describeAuditEvent(event({ entity: 'campaign', entityId: 1, action: 'restore' })).title).toBe('Restored the campaign');
  });
});
