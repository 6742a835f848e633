/**
 * What an export keeps of batch norm's meaning. batchwise normalises over fixed groups of G
 * examples whatever the split, and moves the running statistics once per update. The frameworks'
 * BatchNorm normalises over whatever one forward call sees on one device (the micro-batch; with
 * SyncBatchNorm, the micro-batch of every device together) and moves the running statistics at
 * every forward call. So the meaning carries over exactly when G is the micro-batch on each
 * device and sync stays off; a G below the micro-batch (ghost batch norm) has no setting there.
 */
import type { ExportFormat, TrainingPlan } from './plan.js';

const SYNC: Partial<Record<ExportFormat, string>> = {
  lightning: 'Trainer(sync_batchnorm=False), the default',
  deepspeed: 'plain BatchNorm2d, not nn.SyncBatchNorm.convert_sync_batchnorm',
  hf: 'plain BatchNorm2d, not nn.SyncBatchNorm',
};

export function batchNormNotes(format: ExportFormat, plan: TrainingPlan): string[] {
  const G = plan.bnBatch;
  if (G === undefined) return [];
  const m = plan.microBatch;
  const notes: string[] = [];
  if (G === m) {
    const sync = plan.worldSize > 1 && SYNC[format] !== undefined ? `; with ${plan.worldSize} devices keep ${SYNC[format]}, since SyncBatchNorm would normalise over ${m * plan.worldSize}` : '';
    notes.push(`batch norm: batchwise normalises over groups of ${G} examples, the micro-batch, as each device's BatchNorm does here${sync}`);
  } else {
    notes.push(
      `batch norm: batchwise normalises over groups of ${G} examples (ghost batch norm) within each micro-batch of ${m}; ${format}'s BatchNorm cannot express that and normalises over the whole micro-batch ` +
        `(for the same update use micro-batch ${G} with ${(plan.iterSize * m) / G} accumulation steps, or a ghost batch norm module)`,
    );
  }
  if (plan.iterSize > 1 || G < m) notes.push(`batch norm: the running statistics move at every forward call there, ${(plan.iterSize * m) / Math.min(G, m) > 1 ? 'several times' : 'once'} per update, not once per update as in batchwise (evaluation differs slightly, training does not)`);
  return notes;
}
