export { WORKSPACE_TEMPLATES } from "./templates.js";
export * from "./workspace.js";
