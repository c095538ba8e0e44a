// The settings pages, in the order their tabs appear. A new settings page adds itself here.
export const SETTINGS_SECTIONS = [
  { href: "/settings/members", label: "Members" },
  { href: "/settings/api-keys", label: "API keys" },
  { href: "/settings/privacy", label: "Privacy" },
  { href: "/settings/audit", label: "Audit log" },
  { href: "/settings/knowledge", label: "Knowledge" },
  { href: "/settings/models", label: "Models" },
  { href: "/settings/node-secrets", label: "Node secrets" },
  { href: "/settings/channels", label: "WhatsApp numbers" },
] as const;
