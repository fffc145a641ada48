import { readFileSync } from 'node:fs';

/** A process's resident memory now and at its peak so far, in MiB, from Linux's /proc (null elsewhere). */
export interface ProcessMemory {
  rssMiB: number;
  peakMiB: number;
}

export function processMemory(pid: number): ProcessMemory | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  // VmHWM is the kernel's high-water mark of VmRSS: a peak no sampling can miss.
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}
