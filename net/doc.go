// Package net is Node's net module on uv-go's loop: a Server (CreateServer, Listen in
// Node's argument forms, Address, Close, MaxConnections) and a Socket, a stream.Duplex over
// a handles.TCP (Connect, Write, End, Destroy, SetNoDelay, SetKeepAlive, SetTimeout, Pause
// and Resume, AllowHalfOpen, addresses and byte counts), with Node's defaults, event order
// and error messages. Events are typed callbacks (OnData, OnEnd, OnClose, ...); every method
// and callback runs on the loop's goroutine, and nothing starts a goroutine per connection.
// A socket reads into the loop's shared buffer: data handed through to a callback, or to a
// Write that the kernel takes at once, is neither copied nor allocated for. Cluster mode is
// in net/cluster, which hands a Server connections accepted elsewhere (Server.AcceptFrom).
// It imports uv, handles, stream and the standard library.
package net
