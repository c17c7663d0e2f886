package main

import "example.com/fx"

func main() { println(fx.Sum(100, []fx.Shape{&fx.Rect{W: 1, H: 2}})) }
