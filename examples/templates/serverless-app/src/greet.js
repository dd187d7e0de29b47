// GET /greet (or any invoke): the greeting serverless.yml configured.
exports.handler = async (event) => ({
  greeting: process.env.GREETING,
  stage: process.env.STAGE,
  logLevel: process.env.LOG_LEVEL,
  path: event.rawPath ?? null,
});
