/**
 * `@openclaw/core/approvals`: the exec approval queue one gateway shares between its
 * `exec.approval.*` methods, the agent's exec tool and chat `/approve`, and the chat approver rule.
 */
export {
  type ApprovalDecision,
  type ApprovalEntry,
  ApprovalError,
  type ApprovalRequestInput,
  approvalQueueFor,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  ExecApprovalQueue,
  isChatApprover,
} from "./service.js";
