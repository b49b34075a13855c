package cluster

// CanAcceptFrom is canAcceptFrom, for the tests.
var CanAcceptFrom = canAcceptFrom
