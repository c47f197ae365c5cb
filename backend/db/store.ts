/**
 * The one domain-level data-access interface: every service talks to a `Store` and never knows which database is
 * behind it. The SQLite query functions of this folder define the operations (their signatures, less the drizzle
 * handle, become the store's async methods); `backend/db/pg/` implements the same operations on PostgreSQL, checked
 * against this list by the compiler.
 */
import type { Db } from './client.js';
import { insertAsset, findAsset, findAssetBySha256, listAssetRows, updateAsset, updateSlicesOfVolume, slicesOfVolume, sliceIdsOfVolumes, imagesOfSamples, storagePathInUse, findAssets, sampleImagesOfCampaign, findLabel, labelsOfCampaign, insertLabel, updateLabelIfVersion } from './assets.js';
import { insertAuditEvent, listAuditRows, countActions, lastCorrectionAt } from './audit.js';
import { insertCampaign, findCampaign, findCampaignByText, listCampaignRows, updateCampaignRow, campaignCounts, campaignHasSamples } from './campaigns.js';
import { insertJob, findJob, activeJobIdsOf, listJobRows, settleExpiredJobs, claimJob, extendLease, recordProgress, finishJob, requeueJob, yieldJob, requestJobCancel, insertModel, findModel, listModelRows, modelsOfJob, succeededJobsForModel, findQueuedJob, runningJobsOf, insertOrJoinQueuedJob, modelsOfKinds, latestModelOfKind, latestJobOfKind } from './jobs.js';
import { insertResult, findResult, findResultByIdempotencyKey, listResultRows, allResults, activeResultsOfSample, setResultOutcomes, retractResultRow, observationsOf, unsupersededDerivedResults, supersedeResults } from './results.js';
import { insertSamples, findSample, findSampleByExternalId, findSampleByParamsKey, existingExternalIds, listSampleRows, allSamples, setSampleStatus, clearSampleAssetId } from './samples.js';
import { insertSuggestion, listSuggestionRows, resultIdsOf, samplesWithStatus, hasImportedSamples, releasePendingBefore, claimCandidates, setSuggestionItems, samplesWithParamsKeys } from './suggestions.js';
import { insertToken, findTokenByHash, findToken, listTokenRows, countTokensWithRole, deleteTokenRow, touchToken, environmentTokens, setTokenManagedBy, makeEnvironmentAdmin, renameToken } from './tokens.js';

/** The SQLite implementation of every store operation: the reference list that each store implements. */
export const sqliteQueries = {
  insertAsset, findAsset, findAssetBySha256, listAssetRows, updateAsset, updateSlicesOfVolume, slicesOfVolume, sliceIdsOfVolumes, imagesOfSamples, storagePathInUse, findAssets, sampleImagesOfCampaign, findLabel, labelsOfCampaign, insertLabel, updateLabelIfVersion,
  insertAuditEvent, listAuditRows, countActions, lastCorrectionAt,
  insertCampaign, findCampaign, findCampaignByText, listCampaignRows, updateCampaignRow, campaignCounts, campaignHasSamples,
  insertJob, findJob, activeJobIdsOf, listJobRows, settleExpiredJobs, claimJob, extendLease, recordProgress, finishJob, requeueJob, yieldJob, requestJobCancel, insertModel, findModel, listModelRows, modelsOfJob, succeededJobsForModel, findQueuedJob, runningJobsOf, insertOrJoinQueuedJob, modelsOfKinds, latestModelOfKind, latestJobOfKind,
  insertResult, findResult, findResultByIdempotencyKey, listResultRows, allResults, activeResultsOfSample, setResultOutcomes, retractResultRow, observationsOf, unsupersededDerivedResults, supersedeResults,
  insertSamples, findSample, findSampleByExternalId, findSampleByParamsKey, existingExternalIds, listSampleRows, allSamples, setSampleStatus, clearSampleAssetId,
  insertSuggestion, listSuggestionRows, resultIdsOf, samplesWithStatus, hasImportedSamples, releasePendingBefore, claimCandidates, setSuggestionItems, samplesWithParamsKeys,
  insertToken, findTokenByHash, findToken, listTokenRows, countTokensWithRole, deleteTokenRow, touchToken, environmentTokens, setTokenManagedBy, makeEnvironmentAdmin, renameToken,
};

/** The store operations by name, each as its SQLite function (drizzle handle first). */
export type QueryFunctions = typeof sqliteQueries;

/** One operation as a store method: the same arguments without the handle, answered asynchronously. */
export type StoreMethod<F> = F extends (db: Db, ...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

/** One operation as another dialect implements it: its own handle first, the same arguments and the same answer. */
export type DialectQuery<F, H> = F extends (db: Db, ...args: infer A) => infer R ? (db: H, ...args: A) => Promise<R> : never;

/** Every operation of the store as an async method. */
export type StoreQueries = { [K in keyof QueryFunctions]: StoreMethod<QueryFunctions[K]> };

/** Which database engine a store runs on. */
export type StoreDialect = 'sqlite' | 'postgres';

/** A database the service runs on: its operations, transactions and closing. */
export interface Store extends StoreQueries {
  readonly dialect: StoreDialect;
  /**
   * Runs `body` in one transaction: all its writes land or none do, and no other request sees them half done. The body
   * must await only this store's operations (through `tx`), never slow work, since SQLite holds every other request
   * while it runs.
   */
  transaction<T>(body: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Runs `body` while holding `lock`: no two bodies of the same lock run at once in any process on this database
   * (PostgreSQL: an advisory lock, so replicas exclude each other; SQLite: one process, an in-process lock). Waiting
   * ends with an error at `options.deadline` or on abort. Not for use inside a transaction body.
   */
  exclusive<T>(lock: LockName, body: () => Promise<T>, options?: ExclusiveOptions): Promise<T>;
  /** Messages to every process on this database; null where only one process uses it (SQLite). */
  readonly broadcast: Broadcast | null;
  /** Closes the connections; pending operations finish first. */
  close(): Promise<void>;
}

/** Messages to every process that uses the same database (PostgreSQL: LISTEN/NOTIFY). */
export interface Broadcast {
  /** Sends `message` on `channel` to every subscriber of every process, this one included. */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `listener` with each message on `channel` until the returned function is called. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Stops listening. */
  close(): Promise<void>;
}

/** A lock held across processes: what it guards (`scope`, e.g. 'suggest') and which one (`id`, e.g. a campaign id). */
export interface LockName {
  scope: string;
  id: number;
}

/** How long `exclusive` may wait for its lock. */
export interface ExclusiveOptions {
  /** Give up waiting at this time (epoch ms). */
  deadline?: number;
  /** Give up waiting when this aborts. */
  signal?: AbortSignal;
  /** The error to throw when the deadline passes first. */
  onTimeout?: () => Error;
}

/**
 * Locks are taken before a transaction, never inside one: a body waiting for a lock whose holder waits for the
 * transaction (SQLite: the connection; PostgreSQL: a row) would wait for ever.
 */
export function lockInsideTransaction(): Promise<never> {
  return Promise.reject(new Error('a lock was requested inside a transaction body: take it before opening the transaction'));
}
