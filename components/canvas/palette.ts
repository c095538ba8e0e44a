// The palette's content: the registry's node types grouped by category, filtered by a search.
// Categories the studio knows come first in a fixed order; a node package's own categories follow.

export interface PaletteEntry {
  type: string;
  title: string;
  description: string;
  category: string;
  icon: string;
}

export interface PaletteGroup {
  category: string;
  label: string;
  entries: PaletteEntry[];
}

const CATEGORY_LABELS: Record<string, string> = { trigger: "Triggers", message: "Messages", logic: "Logic", ai: "AI", data: "Data" };
const CATEGORY_ORDER = Object.keys(CATEGORY_LABELS);

function rank(category: string): number {
  const index = CATEGORY_ORDER.indexOf(category);
  return index === -1 ? CATEGORY_ORDER.length : index;
}

const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** Entries whose title, description, type or category hold every word of `query`, grouped. */
export function paletteGroups(entries: PaletteEntry[], query = ""): PaletteGroup[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const matching = entries.filter((entry) => {
    const haystack = fold(`${entry.title} ${entry.description} ${entry.type} ${entry.category} ${CATEGORY_LABELS[entry.category] ?? ""}`);
    return words.every((word) => haystack.includes(word));
  });
  const groups = new Map<string, PaletteEntry[]>();
  for (const entry of matching) groups.set(entry.category, [...(groups.get(entry.category) ?? []), entry]);
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([category, list]) => ({
      category,
      label: CATEGORY_LABELS[category] ?? category.charAt(0).toUpperCase() + category.slice(1),
      entries: list.sort((a, b) => a.title.localeCompare(b.title)),
    }));
}
