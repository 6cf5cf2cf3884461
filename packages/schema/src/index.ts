/**
 * `@custody/schema`: the typed audit event, the per-organization action registry, and the RFC 8785 canonical
 * bytes that the Merkle log hashes. Pure: no Node built-ins; runs in Node, browsers and Workers.
 */

// Events
export {
  ACTION_PATTERN,
  IDEMPOTENCY_KEY_PATTERN,
  LOGGED_EVENT_FORMAT_VERSION,
  MAX_ACTION_LENGTH,
  MAX_ID_LENGTH,
  MAX_NAME_LENGTH,
  MAX_REQUEST_ID_LENGTH,
  MAX_TYPE_LENGTH,
  MAX_USER_AGENT_LENGTH,
  ORGANIZATION_ID_PATTERN,
  SERVER_ORGANIZATION_ID_PATTERN,
  TYPE_PATTERN,
  ZEventContextSchema,
  ZEventEntitySchema,
  ZEventInputSchema,
  ZLoggedEventSchema,
  ZMetadataSchema,
  containsNul,
  createEventSchemas,
  describeNul,
} from './event-schemas';
export type {
  TEventContext,
  TEventEntity,
  TEventInput,
  TEventInputDraft,
  TEventSchemas,
  TLoggedEvent,
  TMetadata,
  TMetadataValue,
} from './event-schemas';
export { DEFAULT_LIMITS, MAX_LIMITS, resolveLimits } from './limits';
export type { TEventLimits } from './limits';
export { validateEvent } from './validate-event';
export type { TValidateEventOptions, TValidateEventResult } from './validate-event';
export { MAX_LEAF_BYTES, createLoggedEvent, fillLoggedEvent, loggedEventTemplate, parseLoggedEvent } from './logged-event';
export type { TLoggedEventLeaf, TLoggedEventServerFields, TLoggedEventTemplate, TParseLoggedEventResult } from './logged-event';
export { MAX_ISSUES, fromZodIssues } from './validation-issue';
export type { TIssueCode, TValidationIssue } from './validation-issue';
export { formatIssuePath } from './issue-path';

// Action registry
export {
  ActionRegistry,
  REQUIRABLE_FIELDS,
  ZActionDefinitionSchema,
  ZActionRegistrySchema,
  ZMetadataFieldSchema,
  compileActionRegistry,
} from './action-registry';
export type {
  TActionDefinition,
  TActionRegistry,
  TActionRegistryInput,
  TCompileActionRegistryResult,
  TMetadataField,
  TRequirableField,
} from './action-registry';
export { defineActions } from './define-actions';
export type {
  TActionEventInput,
  TActionSpec,
  TActionsSpec,
  TDefinedActions,
  TMetadataFieldShorthand,
  TMetadataFieldSpec,
  TMetadataFieldValue,
} from './define-actions';

// Canonical JSON
export { MAX_JSON_DEPTH, canonicalBytes, canonicalize, isCanonicalJson } from './canonical';
export { parseStrictJson } from './strict-json';
export { findDuplicateMemberName } from './duplicate-member';
export type { TDuplicateMember } from './duplicate-member';
export type { TJsonValue } from './strict-json';
export { isWellFormedString } from './unicode';

// Identifiers and time
export { UUID_V7_PATTERN, createUuidV7Generator, generateUuidV7, getUuidV7Timestamp } from './uuid-v7';
export type { TUuidV7GeneratorOptions } from './uuid-v7';
export { SALT_BYTES, SALT_PATTERN, generateSalt } from './salt';
export { encodeBase64 } from './base64';
export {
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  formatTimestamp,
  isCanonicalTimestamp,
  normalizeTimestamp,
  parseTimestamp,
} from './timestamp';

// IP addresses
export { formatIpAddress, ipSortKey, normalizeIpAddress, parseIpAddress } from './ip-address';
export type { TIpAddress } from './ip-address';
export { cidrSortKeyRange, isIpInCidr, parseCidr } from './cidr';
export type { TCidr } from './cidr';

// Full-text words (one rule for SQLite FTS5, Postgres and the viewer)
export {
  MAX_SEARCH_WORD_LENGTH,
  MIN_SEARCH_PREFIX_LENGTH,
  SEARCH_FOLDS,
  SEARCH_SEPARATORS,
  normalizeSearchText,
  searchTerms,
  searchTextOf,
  searchWords,
  tokenTerms,
} from './search-text';

// Errors
export {
  CanonicalizationError,
  IpAddressError,
  LoggedEventError,
  RegistryError,
  SchemaError,
  StrictJsonError,
  TimestampError,
} from './errors';
export type {
  TCanonicalizationErrorCode,
  TIpAddressErrorCode,
  TLoggedEventErrorCode,
  TRegistryErrorCode,
  TStrictJsonErrorCode,
  TTimestampErrorCode,
} from './errors';

/** The canonical text of an event `validateEvent` accepted (cached), else `canonicalize(event)`. */
export { canonicalEventText } from './canonical-event-text';
