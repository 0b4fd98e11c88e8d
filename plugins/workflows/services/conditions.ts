import { LRUCache } from 'lru-cache';
import type { JsonSchema } from 'plinth/plugin';
import { createAjv, schemaProblems, toFieldErrors, type FieldError, type Validator } from 'plinth/plugin';

export interface Match {
  matched: boolean;
  /** Why it did not match, by path under `prefix`. */
  errors: FieldError[];
}

/**
 * JSON Schema conditions, compiled with ajv once: a version's trigger condition by version id
 * (versions never change), a mid-run `stop_if` condition by its text. Matching never changes the
 * payload (no defaults filled in, no coercion).
 */
export class Conditions {
  // addUsedSchema off: tenants' schemas may share an $id without clashing in one ajv instance.
  private readonly ajv = createAjv({ useDefaults: false, coerceTypes: false, addUsedSchema: false });
  // ajv keeps every compiled schema; evicting from these caches must release it there too.
  private readonly release = (validate: Validator<unknown>) => void this.ajv.removeSchema(validate.schema as JsonSchema);
  private readonly byVersion = new LRUCache<number, Validator<unknown>>({ max: 2000, dispose: this.release });
  private readonly byText = new LRUCache<string, Validator<unknown>>({ max: 500, dispose: this.release });

  /** Why a schema is not usable as a condition ([] when it is). */
  problems(schema: unknown, path: string): FieldError[] {
    if (schema === null || schema === undefined) return [];
    if (typeof schema !== 'object' || Array.isArray(schema)) return [{ path, message: 'must be a JSON Schema object' }];
    const invalid = schemaProblems(schema);
    if (invalid) return [{ path, message: `is not a valid JSON Schema: ${invalid}` }];
    try {
      this.ajv.compile(schema as JsonSchema);
      return [];
    } catch (err) {
      return [{ path, message: `is not a valid JSON Schema: ${(err as Error).message}` }];
    } finally {
      this.ajv.removeSchema(schema as JsonSchema); // compiled again (and cached) by whoever uses it
    }
  }

  /** The trigger condition of a version; no condition matches everything. */
  forVersion(versionId: number, schema: JsonSchema | null, payload: unknown, prefix = 'trigger'): Match {
    if (!schema) return { matched: true, errors: [] };
    let validate = this.byVersion.get(versionId);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.byVersion.set(versionId, validate);
    }
    return this.check(validate, payload, prefix);
  }

  /** A condition given as data (stop_if, a dry run of an unsaved draft), cached by its text. */
  match(schema: JsonSchema, payload: unknown, prefix = 'value'): Match {
    const key = JSON.stringify(schema);
    let validate = this.byText.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.byText.set(key, validate);
    }
    return this.check(validate, payload, prefix);
  }

  private check(validate: Validator<unknown>, payload: unknown, prefix: string): Match {
    return validate(payload) ? { matched: true, errors: [] } : { matched: false, errors: toFieldErrors(validate.errors, prefix) };
  }
}
