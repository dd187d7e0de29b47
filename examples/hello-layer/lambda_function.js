// A Node.js function whose library comes from a layer (examples/layers/greeting): the layer is
// merged at /opt, and Node.js finds /opt/nodejs/node_modules through NODE_PATH, as on Lambda.
// CommonJS on purpose: NODE_PATH applies to require(), not to ES module imports (on Lambda too).
'use strict';

const { greet } = require('greeting');

exports.lambda_handler = async (event) => ({ message: greet(event.name ?? 'world') });
