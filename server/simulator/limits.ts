/** What the simulated phone lets a customer attach (WhatsApp itself takes up to 100 MB); shared with the phone's page. */
export const MAX_SIMULATED_MEDIA_BYTES = 5 * 1024 * 1024;
