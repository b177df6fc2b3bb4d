/** One page of `items` and where the next one starts (`cron.list`, `cron.runs`: OpenClaw's paging shape). */
export function page<T>(
  items: readonly T[],
  offset: number,
  limit: number,
): { items: T[]; total: number; offset: number; limit: number; hasMore: boolean; nextOffset: number | null } {
  const slice = items.slice(offset, offset + limit);
  const hasMore = offset + slice.length < items.length;
  return {
    items: slice,
    total: items.length,
    offset,
    limit,
    hasMore,
    nextOffset: hasMore ? offset + slice.length : null,
  };
}
