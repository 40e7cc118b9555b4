import type { FastifyInstance } from 'fastify';
import type { ApiPluginOptions } from './auth.js';
import { ApiError } from './envelope.js';
import { API_BASE } from './login.js';

const percent = (part: number, whole: number) => (whole > 0 ? Math.min(100, Math.round((part / whole) * 100)) : 0);

/**
 * `GET /esa/api/v2.0/health`: the appliance's key health figures, from the running engine's
 * `status` (the names of the AsyncOS API guide's sample: percentage_ram_utilization,
 * percentage_diskio, resource_conservation; the others as `status detail` measures them).
 */
export function registerHealth(app: FastifyInstance, { appliance, authenticate }: ApiPluginOptions): void {
  app.get(`${API_BASE}/health`, { preHandler: authenticate, schema: { summary: 'Key health figures of the appliance', tags: ['health'] } }, async () => {
    const live = appliance.live;
    if (!live) throw new ApiError('The mail system is not running.', 503);
    const g = live.status().gauges;
    return {
      data: {
        percentage_ram_utilization: g.ramUtilization,
        percentage_cpu_load: g.cpuLoad,
        percentage_diskio: g.diskIoUtilization,
        percentage_queue_utilization: percent(g.kilobytesUsed, g.kilobytesUsed + g.kilobytesFree),
        // a lab appliance never enters resource conservation mode
        resource_conservation: 0,
        messages_in_workqueue: g.messagesInWorkQueue,
      },
    };
  });
}
