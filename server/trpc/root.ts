import { router } from "./init";
import { analyticsRouter } from "./routers/analytics";
import { apiKeysRouter } from "./routers/api-keys";
import { auditRouter } from "./routers/audit";
import { broadcastsRouter } from "./routers/broadcasts";
import { channelsRouter } from "./routers/channels";
import { conversationsRouter } from "./routers/conversations";
import { flowTestsRouter } from "./routers/flow-tests";
import { flowsRouter } from "./routers/flows";
import { knowledgeRouter } from "./routers/knowledge";
import { membersRouter } from "./routers/members";
import { modelsRouter } from "./routers/models";
import { nodeSecretsRouter } from "./routers/node-secrets";
import { privacyRouter } from "./routers/privacy";
import { runsRouter } from "./routers/runs";
import { simulatorRouter } from "./routers/simulator";

export const appRouter = router({
  analytics: analyticsRouter,
  apiKeys: apiKeysRouter,
  audit: auditRouter,
  broadcasts: broadcastsRouter,
  channels: channelsRouter,
  conversations: conversationsRouter,
  flowTests: flowTestsRouter,
  flows: flowsRouter,
  knowledge: knowledgeRouter,
  members: membersRouter,
  models: modelsRouter,
  nodeSecrets: nodeSecretsRouter,
  privacy: privacyRouter,
  runs: runsRouter,
  simulator: simulatorRouter,
});

export type AppRouter = typeof appRouter;
