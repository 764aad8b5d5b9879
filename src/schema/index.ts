export type * from './analysis-types.js';
export { type AnalyzeOptions, analyze } from './analyze.js';
export { renderAnalysis } from './render-analysis.js';
