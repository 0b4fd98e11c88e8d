import type { Knex } from 'knex';
import { deploymentId } from 'plinth/plugin';

/**
 * The `Idempotency-Key` of a step's outgoing call: `<deployment id>.wfr_<run id>_<step id>`. A step
 * runs at least once (a retry, a resume after its process died, another instance taking the run
 * over), and every attempt of one step of one run carries the same key, so a receiver can drop a
 * repeat as Stripe's API does. The key is made from what the run records, never from an attempt
 * number or a random value. The deployment id keeps two deployments apart: a restored copy started
 * beside the original (it gets a new id) counts its runs from the same ids, and a receiver both
 * call must not take the copy's run 101 for the original's.
 */
export class StepKeys {
  private deployment: Promise<string> | null = null;

  constructor(private readonly db: Knex) {}

  async forStep(runId: number, stepId: string): Promise<string> {
    return `${await this.deploymentId()}.${stepDeliveryId(runId, stepId)}`;
  }

  /** Read once per process (a failed read is tried again next time). */
  private deploymentId(): Promise<string> {
    this.deployment ??= deploymentId(this.db).catch((err: unknown) => {
      this.deployment = null;
      throw err;
    });
    return this.deployment;
  }
}

/** One step of one run, without the deployment: the Standard Webhooks `webhook-id` of a signed step. */
export const stepDeliveryId = (runId: number, stepId: string) => `wfr_${runId}_${stepId}`;
