// Package app is an Express-style layer over uv-go's http module: New creates an App, Use
// adds middleware (with next), Get / Post / Put / Delete / Patch / All add routes with path
// parameters ("/users/:id", "/files/*"), error middleware takes over after next(err), Static
// serves a directory, and Listen does what Express's app.listen does: http.CreateServer(app)
// and then server.Listen. Handlers are plain functions of the request and response (and
// next, and the error, for the kinds that take them); they run on the loop's goroutine, and
// a route answered with Send allocates nothing once the connection is warm (the request
// state lives with the connection, so do not keep a Request or Response after the response
// has closed). It imports uv, net, http and the standard library.
package app
