import { isAbsolute, join, resolve } from 'node:path';
import type { FromSchema } from 'json-schema-to-ts';
import { ErrorCodes, UserError } from '../../errors.js';
import type { HomePaths } from '../home.js';
import { jsonShape } from '../json-shape.js';
import { readJsonFile } from '../state-file.js';
import { labClusterSchema, sharedSetdSchema } from './lab-cluster-schema.js';
import { validateLabCluster, validateSharedSetd } from './lab-cluster-schema.generated.js';

/*
 * A lab cluster (`segsim lab cluster create DIR`) has one SETD emulator, as the real SETD is one
 * service for every gateway of a company: its store and TLS material live in DIR, and each
 * member's home says so in shared-setd.json. A member runs no SETD emulator of its own; its
 * journals, `setd` commands and SETD portal reach that one. A standalone appliance has no such
 * file and keeps its embedded SETD.
 */

export type LabClusterManifest = FromSchema<typeof labClusterSchema>;

/** The manifest of a lab cluster directory. */
export const LAB_CLUSTER_FILE = 'lab-cluster.json';
/** In a member's home: which lab cluster's SETD it journals to. */
export const SHARED_SETD_FILE = 'shared-setd.json';

const MANIFEST = jsonShape<LabClusterManifest>(labClusterSchema, validateLabCluster);
const LINK = jsonShape<FromSchema<typeof sharedSetdSchema>>(sharedSetdSchema, validateSharedSetd);

/** Where the one SETD emulator of a lab cluster keeps its store and TLS material, and its port. */
export interface SharedSetd {
  /** the lab cluster directory */
  lab: string;
  /** the SETD store (accounts, journals, faults) */
  store: string;
  /** the lab CA every member trusts, and the SETD's server certificate */
  tls: string;
  port: number;
}

/** The lab cluster directory's parts. */
export function labClusterPaths(dir: string): { manifest: string; setdStore: string; tls: string } {
  return { manifest: join(dir, LAB_CLUSTER_FILE), setdStore: join(dir, 'setd'), tls: join(dir, 'tls') };
}

/** Reads DIR/lab-cluster.json; a missing or bad one is named. */
export function readLabCluster(dir: string): LabClusterManifest {
  const file = labClusterPaths(dir).manifest;
  const read = readJsonFile(file, MANIFEST);
  if (read.state === 'missing') throw new UserError(`${dir} is not a lab cluster: it has no ${LAB_CLUSTER_FILE} ("segsim lab cluster create ${dir}" makes one).`, ErrorCodes.notFound);
  if (read.state === 'bad') throw new UserError(`The lab cluster file ${file} is ${read.problem}.`, ErrorCodes.io);
  return read.value;
}

/** The SETD of the lab cluster this home journals to, or null for an appliance with its own (standalone). */
export function sharedSetdOf(paths: Pick<HomePaths, 'root'>): SharedSetd | null {
  const file = join(paths.root, SHARED_SETD_FILE);
  const read = readJsonFile(file, LINK);
  if (read.state === 'missing') return null;
  if (read.state === 'bad') throw new UserError(`The file ${file} (the lab cluster's SETD this appliance journals to) is ${read.problem}.`, ErrorCodes.io);
  const lab = isAbsolute(read.value.lab) ? read.value.lab : resolve(paths.root, read.value.lab);
  const manifest = readLabCluster(lab);
  const parts = labClusterPaths(lab);
  return { lab, store: parts.setdStore, tls: parts.tls, port: manifest.setd.port };
}
