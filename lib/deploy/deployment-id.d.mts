export declare const DEPLOYMENT_ID_PATTERN: RegExp;
export declare function deploymentIdProblem(id: string): string | null;
