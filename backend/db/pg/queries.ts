/**
 * Every store operation on PostgreSQL. The type below makes the compiler prove that this list has exactly the
 * operations of ../store.ts `sqliteQueries`, each with the same arguments and the same (awaited) answer.
 */
import type { DialectQuery, QueryFunctions } from '../store.js';
import * as assets from './assets.js';
import * as audit from './audit.js';
import * as campaigns from './campaigns.js';
import type { PgDb } from './db.js';
import * as jobs from './jobs.js';
import * as results from './results.js';
import * as samples from './samples.js';
import * as suggestions from './suggestions.js';
import * as tokens from './tokens.js';

/** The PostgreSQL implementation of each operation, by the same name as its SQLite twin. */
export type PgQueries = { [K in keyof QueryFunctions]: DialectQuery<QueryFunctions[K], PgDb> };

export const pgQueries: PgQueries = {
  insertAsset: assets.insertAsset, findAsset: assets.findAsset, findAssetBySha256: assets.findAssetBySha256, listAssetRows: assets.listAssetRows,
  updateAsset: assets.updateAsset, updateSlicesOfVolume: assets.updateSlicesOfVolume, slicesOfVolume: assets.slicesOfVolume,
  sliceIdsOfVolumes: assets.sliceIdsOfVolumes, imagesOfSamples: assets.imagesOfSamples, storagePathInUse: assets.storagePathInUse,
  findAssets: assets.findAssets, sampleImagesOfCampaign: assets.sampleImagesOfCampaign, findLabel: assets.findLabel,
  labelsOfCampaign: assets.labelsOfCampaign, insertLabel: assets.insertLabel, updateLabelIfVersion: assets.updateLabelIfVersion,
  insertAuditEvent: audit.insertAuditEvent, listAuditRows: audit.listAuditRows, countActions: audit.countActions, lastCorrectionAt: audit.lastCorrectionAt,
  insertCampaign: campaigns.insertCampaign, findCampaign: campaigns.findCampaign, findCampaignByText: campaigns.findCampaignByText,
  listCampaignRows: campaigns.listCampaignRows, updateCampaignRow: campaigns.updateCampaignRow, campaignCounts: campaigns.campaignCounts,
  campaignHasSamples: campaigns.campaignHasSamples,
  insertJob: jobs.insertJob, findJob: jobs.findJob, activeJobIdsOf: jobs.activeJobIdsOf, listJobRows: jobs.listJobRows,
  settleExpiredJobs: jobs.settleExpiredJobs, claimJob: jobs.claimJob, extendLease: jobs.extendLease, recordProgress: jobs.recordProgress,
  finishJob: jobs.finishJob, requeueJob: jobs.requeueJob, yieldJob: jobs.yieldJob, requestJobCancel: jobs.requestJobCancel,
  insertModel: jobs.insertModel, findModel: jobs.findModel, listModelRows: jobs.listModelRows, modelsOfJob: jobs.modelsOfJob,
  succeededJobsForModel: jobs.succeededJobsForModel, findQueuedJob: jobs.findQueuedJob, runningJobsOf: jobs.runningJobsOf,
  insertOrJoinQueuedJob: jobs.insertOrJoinQueuedJob, modelsOfKinds: jobs.modelsOfKinds, latestModelOfKind: jobs.latestModelOfKind,
  latestJobOfKind: jobs.latestJobOfKind,
  insertResult: results.insertResult, findResult: results.findResult, findResultByIdempotencyKey: results.findResultByIdempotencyKey,
  listResultRows: results.listResultRows, allResults: results.allResults, activeResultsOfSample: results.activeResultsOfSample,
  setResultOutcomes: results.setResultOutcomes, retractResultRow: results.retractResultRow, observationsOf: results.observationsOf,
  unsupersededDerivedResults: results.unsupersededDerivedResults, supersedeResults: results.supersedeResults,
  insertSamples: samples.insertSamples, findSample: samples.findSample, findSampleByExternalId: samples.findSampleByExternalId,
  findSampleByParamsKey: samples.findSampleByParamsKey, existingExternalIds: samples.existingExternalIds, listSampleRows: samples.listSampleRows,
  allSamples: samples.allSamples, setSampleStatus: samples.setSampleStatus, clearSampleAssetId: samples.clearSampleAssetId,
  insertSuggestion: suggestions.insertSuggestion, listSuggestionRows: suggestions.listSuggestionRows, resultIdsOf: suggestions.resultIdsOf,
  samplesWithStatus: suggestions.samplesWithStatus, hasImportedSamples: suggestions.hasImportedSamples,
  releasePendingBefore: suggestions.releasePendingBefore, claimCandidates: suggestions.claimCandidates,
  setSuggestionItems: suggestions.setSuggestionItems, samplesWithParamsKeys: suggestions.samplesWithParamsKeys,
  insertToken: tokens.insertToken, findTokenByHash: tokens.findTokenByHash, findToken: tokens.findToken, listTokenRows: tokens.listTokenRows,
  countTokensWithRole: tokens.countTokensWithRole, deleteTokenRow: tokens.deleteTokenRow, touchToken: tokens.touchToken,
  environmentTokens: tokens.environmentTokens, setTokenManagedBy: tokens.setTokenManagedBy, makeEnvironmentAdmin: tokens.makeEnvironmentAdmin,
  renameToken: tokens.renameToken,
};
