#!/bin/sh
# Records raw Docker Engine API exchanges (HTTP status line, headers, body) for crbench's test fixtures.
exec >/dev/console 2>&1
docker load -i /run/crbench/payload/images/bench.tar
C="docker run --rm -v /var/run/docker.sock:/d.sock crbench/bench:1 curl -s -i --unix-socket /d.sock"
rec() {
	name=$1; shift
	printf 'FIXTURE-BEGIN %s ' "$name"
	$C "$@" | base64 -w0
	printf ' FIXTURE-END\n'
}
rec version http://localhost/v1.41/version
rec ping http://localhost/v1.41/_ping
rec info http://localhost/v1.41/info
rec create-no-image -X POST -H 'Content-Type: application/json' -d '{"Image":"crbench/none:1"}' http://localhost/v1.41/containers/create
rec create -X POST -H 'Content-Type: application/json' -d '{"Image":"crbench/bench:1","Cmd":["sh","-c","echo to-stdout; echo to-stderr >&2; exit 3"]}' 'http://localhost/v1.41/containers/create?name=fixture'
rec start -X POST http://localhost/v1.41/containers/fixture/start
rec wait -X POST http://localhost/v1.41/containers/fixture/wait
rec logs 'http://localhost/v1.41/containers/fixture/logs?stdout=true&stderr=true'
rec inspect http://localhost/v1.41/containers/fixture/json
rec delete -X DELETE 'http://localhost/v1.41/containers/fixture?force=true&v=true'
rec delete-missing -X DELETE 'http://localhost/v1.41/containers/fixture?force=true&v=true'
rec image-inspect http://localhost/v1.41/images/crbench/bench:1/json
rec image-missing http://localhost/v1.41/images/crbench/none:1/json
rec bad-name -X POST -H 'Content-Type: application/json' -d '{"Image":"crbench/bench:1"}' 'http://localhost/v1.41/containers/create?name=x'
# the network matrix's networks: macvlan on a dummy link that also holds the swarm's address
ip link add crbench0 type dummy && ip link set dev crbench0 up && ip address replace 10.99.0.1/24 dev crbench0
rec network-missing http://localhost/v1.41/networks/crbench-macvlan
rec network-create -X POST -H 'Content-Type: application/json' -d '{"Driver":"macvlan","Attachable":false,"IPAM":{"Driver":"default","Config":[{"Subnet":"10.98.0.0/24"}]},"Options":{"parent":"crbench0"},"Name":"crbench-macvlan","CheckDuplicate":true}' http://localhost/v1.41/networks/create
rec network-inspect http://localhost/v1.41/networks/crbench-macvlan
rec swarm-init -X POST -H 'Content-Type: application/json' -d '{"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"10.99.0.1"}' http://localhost/v1.41/swarm/init
rec swarm-init-member -X POST -H 'Content-Type: application/json' -d '{"ListenAddr":"0.0.0.0:2377","AdvertiseAddr":"10.99.0.1"}' http://localhost/v1.41/swarm/init
docker run -d --name fixture-stop crbench/bench:1 sleep 600 >/dev/null
rec stop -X POST 'http://localhost/v1.41/containers/fixture-stop/stop?t=20'
docker rm -f fixture-stop >/dev/null
echo "FIXTURES-DONE"
