// Every kind of entry the electronic case file holds, one source each.
import { addressEntries } from "./addresses";
import { evidenceEntries } from "./evidence";
import { filingEntries } from "./filing";
import { hearingEntries } from "./hearings";
import { mediationEntries } from "./mediation";
import { orderEntries } from "./orders";
import { serviceEntries } from "./services";
import type { Source } from "./items";

export const SOURCES: readonly Source[] = [filingEntries, evidenceEntries, serviceEntries, addressEntries, hearingEntries, mediationEntries, orderEntries];
