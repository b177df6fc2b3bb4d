/**
 * `@openclaw/exec-approvals`: the exec-approvals engine every execution host shares (a node, and
 * the gateway's own host for the agent's exec tool): the `exec-approvals.json` file, the policy
 * decision, binary lookup and the capped process runner. Node built-ins only.
 */
export {
  type AllowlistEntry,
  type ApprovalsSnapshot,
  addAllowlistEntry,
  approvalsFileProblem,
  type ExecApprovalsFile,
  effectivePolicy,
  hashText,
  type PolicyHints,
  readApprovalsFile,
  removeAllowlistEntry,
  writeApprovalsFile,
} from "./approvals-file.js";
export { normalizeRun, runBindingHash, type SystemRunParams } from "./binding.js";
export {
  analyzeArgv,
  analyzeShellCommand,
  type CommandAnalysis,
  type CommandSegment,
  DEFAULT_SAFE_BINS,
  decideExec,
  type ExecAsk,
  type ExecDecision,
  type ExecPolicy,
  type ExecSecurity,
  globMatches,
  type SegmentVerdict,
  stricterAsk,
  stricterSecurity,
} from "./exec-policy.js";
export { DEFAULT_MAX_OUTPUT_BYTES, type RunOptions, type RunResult, runProcess, whichSync } from "./run.js";
