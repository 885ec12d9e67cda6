import * as codeLens from './codeLens';
import type { Ctx } from './ctx';
import * as diagnostics from './diagnostics';
import * as formatOneLine from './formatOneLine';
import * as hover from './hover';
import { ModelDocuments } from './modelDocuments';
import * as quickFixes from './quickFixes';
import * as summaryView from './summaryView';

/** Inline hints in model files: every feature reads the one shared, debounced analysis cache. */
export function register(ctx: Ctx): ModelDocuments {
  const models = ctx.own(new ModelDocuments(ctx));
  diagnostics.register(ctx, models);
  codeLens.register(ctx, models);
  hover.register(ctx, models);
  quickFixes.register(ctx, models);
  formatOneLine.register(ctx, models);
  summaryView.register(ctx, models);
  models.analyzeOpenDocuments();
  return models;
}
