// GET /greet (or any invoke): the greeting the template configured.
exports.handler = async (event) => ({
  greeting: process.env.GREETING,
  stage: process.env.STAGE,
  logLevel: process.env.LOG_LEVEL,
  reportArn: process.env.REPORT_ARN,
  path: event.rawPath ?? null,
});
