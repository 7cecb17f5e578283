// The Node end of the Edge middleware's bridge: anyone without LIMIT_BRIDGE_SECRET gets 404.
import { createBridgeHandler } from '@zigznote/ratelimit/next';
import { decideApi } from '../../../lib/limits';

export const POST = createBridgeHandler({
  secret: () => process.env.LIMIT_BRIDGE_SECRET,
  decide: decideApi,
  isGroup: (name): name is 'api' => name === 'api',
});
