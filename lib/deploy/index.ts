/**
 * Rolling out a new build while people use the app: skew protection (each page keeps reaching the build
 * that rendered it for a window), replicas replaced one at a time behind the balancer, old ones drained.
 * `rollOut` is the procedure; a platform says how replicas start and stop (compose, or the test's
 * processes); `balancerConfig` is the nginx part it rewrites. Node-only.
 */
export { balancerConfig, upstreamName, DEPLOYMENT_ID_PATTERN, type RunningBuild } from './balancer-config';
export { rollOut, type DeployPlatform, type Replica, type RolloutOptions } from './rollout';
export { composePlatform, DEPLOYMENT_LABEL, UNNAMED_BUILD, type ComposeOptions, type ComposeReplica } from './compose';
