/** The TikTok app credentials the bench's simulator and service share. */
export const benchApp = { appKey: 'bench_app_key', appSecret: 'bench_app_secret', serviceId: 'bench_service' };
