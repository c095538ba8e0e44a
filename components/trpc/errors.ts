/** A readable message from a tRPC/React Query error (the server's message when it has one). */
export function errorMessage(error: unknown): string {
  if (!error) return "";
  const code = (error as { data?: { code?: string } }).data?.code;
  if (code === "UNAUTHORIZED") return "Your session ended: sign in again.";
  if (error instanceof Error) {
    if (error.message === "Failed to fetch") return "Parley is not reachable: check that the server is running.";
    return error.message;
  }
  return String(error);
}

export function errorCode(error: unknown): string | undefined {
  return (error as { data?: { code?: string } } | null)?.data?.code;
}
