// The envelope Meta wraps one change of a number in: the simulator posts
// it to the app's own ingress, and tests and benchmarks post it as Meta would.

export interface EnvelopeNumber {
  phoneNumberId: string;
  displayPhoneNumber?: string | null;
}

/** A webhook body with one change: `value` holds its messages, contacts or statuses. */
export function whatsappWebhookEnvelope(number: EnvelopeNumber, value: Record<string, unknown>, businessAccountId = "WABA") {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: businessAccountId,
        changes: [
          {
            field: "messages",
            value: { messaging_product: "whatsapp", metadata: { display_phone_number: number.displayPhoneNumber ?? "", phone_number_id: number.phoneNumberId }, ...value },
          },
        ],
      },
    ],
  };
}
