export { compilePipeline, type PipelineOptions } from './compile-pipeline.js';
export { type CustomTransformFn, loadCustomModules } from './custom.js';
export { BUILTIN_TRANSFORMS, builtinRegistry, TransformRegistry } from './registry.js';
export {
  type CompileContext,
  type TransformContext,
  type TransformDefinition,
  TransformError,
  type TransformFn,
  type TransformInput,
  type TransformNotice,
} from './transform.js';
