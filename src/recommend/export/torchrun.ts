/**
 * The torchrun (torch.distributed.run) command that starts a plan's world of processes, for the
 * torch-based exports. Flags as PyTorch documents them (docs.pytorch.org, "torchrun (Elastic
 * Launch)"): on one node `--standalone` hosts the c10d rendezvous itself, so no endpoint is
 * needed; across nodes every node runs the same command with `--nnodes`, `--nproc_per_node`,
 * `--rdzv_id`, `--rdzv_backend=c10d` and `--rdzv_endpoint=HOST:PORT` (port 29400 by default).
 */
import type { ResolvedPlan } from './plan.js';

export function torchrunCommand(processes: number, script: string): string {
  return `torchrun --standalone --nnodes=1 --nproc_per_node=${processes} ${script}`;
}

/** How to launch the plan's processes on one node and on several; null for one process, which needs no launcher. */
export function torchrunNote(r: ResolvedPlan, script: string): string | null {
  const n = r.plan.worldSize;
  if (n <= 1) return null;
  return (
    `launch the ${n} processes on one node with: ${torchrunCommand(n, script)}; ` +
    `across M nodes of K processes each (M × K = ${n}), run on every node: torchrun --nnodes=M --nproc_per_node=K --rdzv_id=JOB --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 ${script}`
  );
}
