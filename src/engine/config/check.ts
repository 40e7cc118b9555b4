import { jsonShape, shapeProblems } from '../json-shape.js';
import type { ApplianceConfig } from './model.js';
import { configSchema } from './schema.js';
import { validateConfig } from './schema.generated.js';
import { crossFieldProblems } from './validate.js';

const CONFIG = jsonShape<ApplianceConfig>(configSchema, validateConfig);

/**
 * Everything wrong with a configuration, for an edit, a commit and config.json alike: its shape
 * (the validator generated from schema.ts, which holds the value rules as patterns and ranges),
 * then, on a value of the right shape, the rules between fields (validate.ts). Empty when valid.
 */
export function configProblems(config: unknown): string[] {
  const shape = shapeProblems(config, CONFIG, { root: 'the configuration' }).map((p) => p.text);
  return shape.length > 0 ? shape : crossFieldProblems(config as ApplianceConfig);
}
