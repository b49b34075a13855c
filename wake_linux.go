package uv

// skipIdleWake is true where the backend keeps Loop.awake: set while the loop runs between
// two polls, cleared before it blocks. A Send that finds the loop awake leaves the wakeup
// descriptor alone, because the loop checks wakePending before it blocks again.
const skipIdleWake = true
