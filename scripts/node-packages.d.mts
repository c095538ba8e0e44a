export interface ResolvedNodePackage {
  entry: string;
  kind: "folder" | "npm";
  /** The folder relative to the Parley directory (folders only). */
  dir?: string;
  /** What flows/packages.generated.ts imports. */
  specifier: string;
}
export function nodePackageEntries(value?: string): string[];
export function resolveNodePackage(entry: string, root?: string): ResolvedNodePackage;
export function generatedNodePackages(packages: ResolvedNodePackage[]): string;
export function writeNodePackages(options?: { onlyIfMissing?: boolean; root?: string; env?: Record<string, string | undefined> }): { file: string; changed: boolean; entries: string[]; folders: string[] };
