import type { MemoryStore } from "./store.js";

/** One search hit, as the tools, the CLI and the methods show it. */
export interface MemoryHit {
  path: string;
  source: string;
  startLine: number;
  endLine: number;
  score: number;
  snippet: string;
  textScore?: number;
  vectorScore?: number;
}

export interface HybridOptions {
  maxResults: number;
  minScore: number;
  vectorWeight: number;
  textWeight: number;
  candidateMultiplier: number;
}

export const SNIPPET_CHARS = 700;
const CJK_RUN = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+/gu;

/** FTS5 queries for the unicode61 table (terms OR'd) and the trigram table (CJK runs of ≥ 3). */
export function buildKeywordQueries(query: string): { text: string; cjk?: string; shortCjk: string[] } {
  const withoutCjk = query.replace(CJK_RUN, " ");
  const terms = [
    ...new Set(
      withoutCjk
        .toLowerCase()
        .split(/[^\p{L}\p{N}_]+/u)
        .filter((term) => term.length > 0),
    ),
  ];
  const runs = query.match(CJK_RUN) ?? [];
  const long = runs.filter((run) => [...run].length >= 3);
  return {
    text: terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(" OR "),
    cjk: long.length ? long.map((run) => `"${run}"`).join(" OR ") : undefined,
    shortCjk: runs.filter((run) => [...run].length < 3),
  };
}

/**
 * Keyword candidates with scores in (0, 1]: BM25 strength relative to the best match of this
 * query (FTS5's BM25 has no fixed scale, and is near zero in a tiny corpus).
 */
export function keywordCandidates(store: MemoryStore, query: string, limit: number): Map<number, number> {
  const queries = buildKeywordQueries(query);
  const strengths = new Map<number, number>();
  for (const { id, rank } of store.keyword(queries.text, queries.cjk, limit)) {
    const strength = Math.max(-rank, 1e-9);
    strengths.set(id, Math.max(strengths.get(id) ?? 0, strength));
  }
  const best = Math.max(0, ...strengths.values());
  const scores = new Map<number, number>();
  for (const [id, strength] of strengths) scores.set(id, best > 0 ? strength / best : 1);
  // one- and two-character CJK words are below the trigram tokenizer's reach: substring match
  for (const word of queries.shortCjk) {
    const rows = store.db
      .prepare("SELECT id FROM chunks WHERE cjk = 1 AND instr(text, ?) > 0 LIMIT ?")
      .all(word, limit) as { id: number }[];
    for (const row of rows) scores.set(Number(row.id), Math.max(scores.get(Number(row.id)) ?? 0, 0.5));
  }
  return scores;
}

function snippet(text: string): string {
  return text.length > SNIPPET_CHARS ? `${text.slice(0, SNIPPET_CHARS - 1)}…` : text;
}

/**
 * OpenClaw's hybrid ranking: `maxResults × candidateMultiplier` candidates from each side,
 * final = vectorWeight × vector + textWeight × text (weights normalized); keyword-only when no
 * query vector is given.
 */
export function rankHybrid(
  store: MemoryStore,
  query: string,
  queryVector: Float32Array | undefined,
  options: HybridOptions,
): MemoryHit[] {
  const candidates = options.maxResults * options.candidateMultiplier;
  const text = keywordCandidates(store, query, candidates);
  const vector = new Map<number, number>();
  if (queryVector)
    for (const { id, similarity } of store.nearest(queryVector, candidates))
      vector.set(id, Math.max(0, similarity));
  const total = options.vectorWeight + options.textWeight || 1;
  const vw = queryVector ? options.vectorWeight / total : 0;
  const tw = queryVector ? options.textWeight / total : 1;
  const ids = new Set([...text.keys(), ...vector.keys()]);
  const hits: MemoryHit[] = [];
  for (const id of ids) {
    const textScore = text.get(id) ?? 0;
    const vectorScore = vector.get(id);
    const score = vw * (vectorScore ?? 0) + tw * textScore;
    if (score < options.minScore || score <= 0) continue;
    const chunk = store.chunk(id);
    if (!chunk) continue;
    hits.push({
      path: chunk.path,
      source: chunk.source,
      startLine: chunk.startLine,
      endLine: chunk.endLine,
      score,
      snippet: snippet(chunk.text),
      textScore,
      ...(vectorScore !== undefined ? { vectorScore } : {}),
    });
  }
  return hits.sort((a, b) => b.score - a.score).slice(0, options.maxResults);
}
