// Types that must refuse what the kit would not accept: each line below is an error the check expects.
const view = document.createElement('mx-call');
// @ts-expect-error sinkId is a string (a speaker's device id)
view.sinkId = 42;
// @ts-expect-error `call` takes a call handle from the kit, not a call id
view.call = '!call-id';
