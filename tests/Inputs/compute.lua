-- The Lua twin of compute.py.
local n = 0
for i = 0, 39 do
  for k = 0, 19999 do n = (n * 31 + i * k) % 1000000007 end
  print(i, n)
  io.stdout:flush()
  local t = os.clock() + 0.05
  while os.clock() < t do end
end
print("done", n)
