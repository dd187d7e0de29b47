// A function used with an external extension from a layer (examples/layers/invoke-counter): the
// extension runs beside the runtime in the same sandbox and counts the invocations; its count
// appears in this function's log when the environment shuts down (idle timeout, an update, or
// the server stopping).
'use strict';

exports.lambda_handler = async (event) => ({ message: `hello ${event.name ?? 'world'}, an extension is counting` });
