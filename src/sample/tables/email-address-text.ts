import { type CrmPlan, SPACE } from '../crm-plan.js';
import { emailText } from '../dirt.js';
import type { Tally } from '../manifest.js';
import type { EmailModule } from '../picklists.js';
import { Rng } from '../prng.js';

/**
 * The k-th address a bean owns, with its planted variation. A pure function of (bean, k): the
 * email_addresses table and the CSV export (primary email column) both call it, and the row's
 * remaining columns continue from the returned Rng.
 */
export function emailAddressOf(plan: CrmPlan, tally: Tally, module: EmailModule, bean: number, k: number): { text: string; rng: Rng } {
  const rng = new Rng(plan.rowSeed(SPACE.email_addresses[module], bean * 4 + k));
  const [local, domain] = plan.emailLocalAndDomain(module, bean, k);
  return { text: emailText(rng, tally, plan.emailVariant(module, bean, k), local, domain), rng };
}
