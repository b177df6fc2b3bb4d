import { z } from "zod";
import { lazy } from "../lazy.js";

/** `skills.status`: every skill the agent can see and why it is (not) ready. */
export const SkillsStatusParamsSchema = lazy(() =>
  z.strictObject({
    /** Default: the default agent. */
    agentId: z.string().min(1).max(64).optional(),
  }),
);

const RequirementsSchema = lazy(() =>
  z.looseObject({
    bins: z.array(z.string()),
    anyBins: z.array(z.string()),
    env: z.array(z.string()),
    config: z.array(z.string()),
    os: z.array(z.string()),
  }),
);

export const SkillStatusEntrySchema = lazy(() =>
  z.looseObject({
    name: z.string(),
    description: z.string(),
    /** `openclaw-workspace`, `agents-skills-project`, `agents-skills-personal`, `openclaw-managed`, `openclaw-bundled`, `openclaw-extra`. */
    source: z.string(),
    bundled: z.boolean(),
    filePath: z.string(),
    baseDir: z.string(),
    skillKey: z.string(),
    primaryEnv: z.string().optional(),
    emoji: z.string().optional(),
    homepage: z.string().optional(),
    always: z.boolean(),
    disabled: z.boolean(),
    blockedByAllowlist: z.boolean(),
    blockedByAgentFilter: z.boolean(),
    eligible: z.boolean(),
    platformIncompatible: z.boolean(),
    modelVisible: z.boolean(),
    userInvocable: z.boolean(),
    commandVisible: z.boolean(),
    requirements: RequirementsSchema,
    missing: RequirementsSchema,
    configChecks: z.array(z.looseObject({ path: z.string(), satisfied: z.boolean() })),
    install: z.array(
      z.looseObject({ id: z.string(), kind: z.string(), label: z.string(), bins: z.array(z.string()) }),
    ),
  }),
);

export const SkillsStatusResultSchema = lazy(() =>
  z.looseObject({
    workspaceDir: z.string(),
    managedSkillsDir: z.string(),
    skills: z.array(SkillStatusEntrySchema),
    /** SKILL.md files that were refused (bad frontmatter, unsafe name, symlink), with the reason. */
    problems: z.array(z.looseObject({ path: z.string(), reason: z.string() })).optional(),
  }),
);
export type SkillsStatusResult = z.infer<typeof SkillsStatusResultSchema>;

/** `skills.bins` (nodes): every bin the agents' skills require. */
export const SkillsBinsParamsSchema = lazy(() => z.strictObject({}));
export const SkillsBinsResultSchema = lazy(() => z.looseObject({ bins: z.array(z.string()) }));
