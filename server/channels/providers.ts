// The providers Parley can carry WhatsApp numbers through, by Channel.provider.
import type { ChannelProvider, ProviderId } from "./provider";
import { twilioProvider } from "./twilio/provider";
import { whatsappCloudProvider } from "./whatsapp/provider";

export const PROVIDERS: Record<ProviderId, ChannelProvider> = {
  whatsapp_cloud: whatsappCloudProvider,
  twilio: twilioProvider,
};

export function isProviderId(id: string): id is ProviderId {
  return Object.hasOwn(PROVIDERS, id);
}

export function providerFor(id: string): ChannelProvider {
  if (!isProviderId(id)) throw new Error(`Unknown channel provider “${id}”: expected ${Object.keys(PROVIDERS).join(" or ")}.`);
  return PROVIDERS[id];
}
