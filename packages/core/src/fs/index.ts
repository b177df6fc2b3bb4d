export { type AppendOptions, appendLines } from "./append.js";
export {
  type AtomicWriteFs,
  type AtomicWriteOptions,
  ensureDir,
  FileWriteError,
  readFileIfExists,
  rotateBackups,
  writeFileAtomic,
} from "./atomic-write.js";
export {
  acquireFileLock,
  type FileLockOptions,
  type LockInfo,
  LockTimeoutError,
  withFileLock,
} from "./file-lock.js";
export { checkPrivatePermissions, type PermissionFinding } from "./permissions.js";
