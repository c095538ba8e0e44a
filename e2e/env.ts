/** The WhatsApp channel `npm start` creates from WHATSAPP_* variables in the e2e run. */
export const E2E_CHANNEL = {
  phoneNumberId: "555000111222",
  accessToken: "e2e-access-token",
  appSecret: "e2e-app-secret",
  verifyToken: "e2e-verify-token",
  graphPort: 3199,
};

export const E2E_ADMIN = { email: "admin@example.com", password: "e2e-password-123" };

/** Node packages the e2e server loads (PARLEY_NODE_PACKAGES): the SDK's examples, whose nodes e2e/custom-nodes.spec.ts finds in the palette. */
export const E2E_NODE_PACKAGES = "node-packages/examples";
