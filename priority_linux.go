package uv

// nicePriority turns what x/sys's Getpriority returns on Linux (the kernel's 20-nice) into
// the nice value.
func nicePriority(p int) int { return 20 - p }
