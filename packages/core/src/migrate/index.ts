export { type MirrorResult, mirrorAuthProfilesToOpenClaw } from "./openclaw-auth-store.js";
export {
  isOpenClawSqliteStateDir,
  type OpenClawSnapshot,
  readOpenClawStateDir,
  type SourceSession,
} from "./openclaw-source.js";
export {
  formatMigrationSummary,
  IMPORTED_FROM_FIELD,
  type MigrateOpenClawOptions,
  type MigrationItemResult,
  type MigrationSummary,
  migrateOpenClawState,
} from "./service.js";
